package main

import (
	"context"
	"sync"
)

// group runs background workers until stop cancels them and waits for all
// of them to return.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newGroup(parent context.Context) *group {
	// Workers outlive the signal context: they stop only after the HTTP
	// server has drained, so in-flight requests can still enqueue work.
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	return &group{ctx: ctx, cancel: cancel}
}

// Go starts fn in the group with the group's context.
func (g *group) Go(fn func(ctx context.Context)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		fn(g.ctx)
	}()
}

func (g *group) stop() {
	g.cancel()
	g.wg.Wait()
}
