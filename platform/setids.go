package platform

// IDError is a failed change of the process's user or groups.
type IDError struct {
	Op  string
	Err error
}

func (e *IDError) Error() string { return e.Op + " failed: " + e.Err.Error() }
func (e *IDError) Unwrap() error { return e.Err }
