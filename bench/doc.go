// Package bench measures baton's faces end to end over HTTP on loopback,
// with real clients. It backs the "baton bench" commands.
package bench
