// Package e2e holds end-to-end tests that run the real baton binary as a
// child process: crash (SIGKILL) and restart tests and CLI tests.
package e2e
