// Package planner decides; it never touches the filesystem.
//
// It owns treesync's data model (Entry, Listing) and turns the two sorted
// listings of one directory, source and destination, into the Actions
// that make the destination match: rsync's quick check and compare modes,
// type changes, deletes held back under failed listings, and the itemize
// letters of every change. It imports neither os nor platform, so every
// decision can be tested with table tests and fuzzing on plain values.
//
// Each Action records the destination entry it expects to replace (nil
// when it expects none): the executor checks that expectation before it
// overwrites or deletes, because the tree may change after the scan.
package planner
