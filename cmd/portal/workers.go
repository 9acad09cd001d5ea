package main

import (
	"context"
	"sync"
)

// group runs background workers until stop cancels them and waits for all
// of them to return.
type group struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newGroup(parent context.Context) (*group, context.Context) {
	// Workers outlive the signal context: they stop only after the HTTP
	// server has drained, so in-flight requests can still enqueue work.
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	return &group{cancel: cancel}, ctx
}

// Go starts fn in the group.
func (g *group) Go(ctx context.Context, fn func(ctx context.Context)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		fn(ctx)
	}()
}

func (g *group) stop() {
	g.cancel()
	g.wg.Wait()
}
