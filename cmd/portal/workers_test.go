package main

import (
	"context"
	"sync/atomic"
	"testing"
)

func TestGroupStopsWorkersAfterTheSignalContext(t *testing.T) {
	sig, cancelSig := context.WithCancel(context.Background())
	g := newGroup(sig)
	var stopped atomic.Bool
	g.Go(func(ctx context.Context) {
		<-ctx.Done()
		stopped.Store(true)
	})
	cancelSig()
	if g.ctx.Err() != nil {
		t.Fatal("workers were cancelled with the signal, before the HTTP server drained")
	}
	g.stop()
	if !stopped.Load() {
		t.Fatal("stop returned before the worker finished")
	}
}
