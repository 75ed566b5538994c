// Package bridge is baton's web UI, served at /bridge/ on baton's one port.
//
// It is a transport like the API faces: handlers read through the domain
// services and stores, render html/template pages embedded in the binary,
// and act through the same domain calls as the APIs. A session cookie stands
// in for the API token after sign-in; http.CrossOriginProtection refuses
// cross-site writes. Pages that change while one looks at them hold a "live"
// region that a Server-Sent Events stream re-renders after each commit (see
// Hub), so nothing polls.
package bridge
