// Command alt times a few commands against each other, run by run: each
// round runs every command once, in an order that reverses from round to
// round, after a preparation command (-p, through sh) that is not timed.
// It prints each command's median, interquartile range and ratio to the
// last command. This machine's noise drifts over seconds, so commands
// timed in blocks one after the other (as hyperfine does) can differ by
// more than what is measured; alternating spreads the drift over all.
//
//	go run ./e2e/bench/alt -r 150 -p 'rm -rf /mnt/x/d' \
//	    'bin/treesync -a /mnt/x/s/ /mnt/x/d/' 'cp -a /mnt/x/s /mnt/x/d'
//
// Commands are split at spaces and started directly, with stdout and
// stderr on /dev/null: no shell and no output copying in the timing.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	rounds := flag.Int("r", 20, "timed rounds")
	warm := flag.Int("w", 3, "untimed rounds first")
	prep := flag.String("p", "", "shell command run before each timed command")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "usage: alt [-r N] [-w N] [-p PREP] COMMAND...")
		os.Exit(2)
	}
	times, err := alternate(cmds, *prep, *warm, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "alt:", err)
		os.Exit(1)
	}
	base := median(times[len(cmds)-1])
	for i, c := range cmds {
		m := median(times[i])
		fmt.Printf("%9.3f ms median  IQR %.3f–%.3f  %.2f× last  %s\n",
			ms(m), ms(quartile(times[i], 1)), ms(quartile(times[i], 3)), float64(m)/float64(base), c)
	}
}

// alternate runs the rounds and returns each command's timed runs.
func alternate(cmds []string, prep string, warm, rounds int) ([][]time.Duration, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	times := make([][]time.Duration, len(cmds))
	for r := range warm + rounds {
		for k := range cmds {
			i := k
			if r%2 == 1 {
				i = len(cmds) - 1 - k
			}
			if prep != "" {
				if out, err := exec.Command("sh", "-c", prep).CombinedOutput(); err != nil {
					return nil, fmt.Errorf("%s: %v %s", prep, err, out)
				}
			}
			d, err := timed(strings.Fields(cmds[i]), devnull)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", cmds[i], err)
			}
			if r >= warm {
				times[i] = append(times[i], d)
			}
		}
	}
	return times, nil
}

// timed runs argv from start to exit.
func timed(argv []string, out *os.File) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out // a file: no copying goroutines
	start := time.Now()
	err := cmd.Run()
	return time.Since(start), err
}

func median(d []time.Duration) time.Duration { return quartile(d, 2) }

// quartile returns the q-th quartile (q = 1, 2, 3) of d.
func quartile(d []time.Duration, q int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)*q/4]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
