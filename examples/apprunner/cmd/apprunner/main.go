// Command apprunner runs the stand-in App Runner service of baton's
// walkthrough (see examples/apprunner/README.md).
//
//	BATON_ENDPOINT=http://127.0.0.1:8080 BATON_TOKEN=... go run ./examples/apprunner/cmd/apprunner --addr 127.0.0.1:9000
package main

import (
	"flag"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/batonhq/baton/examples/apprunner"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	svc := &apprunner.Service{Baton: os.Getenv("BATON_ENDPOINT"), Token: os.Getenv("BATON_TOKEN"), Log: log}
	if svc.Baton == "" {
		svc.Baton = "http://127.0.0.1:8080"
	}
	log.Info("apprunner stand-in listening", "addr", *addr, "baton", svc.Baton)
	srv := &http.Server{Addr: *addr, Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
