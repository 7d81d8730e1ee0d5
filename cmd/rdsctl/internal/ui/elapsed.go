package ui

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// StillWaitingEvery is how often a long wait says it is alive when stderr
// is not a terminal (a CI log, a file): often enough that a log never
// looks hung, rarely enough not to drown it.
const StillWaitingEvery = 10 * time.Second

// tickEvery is how often the elapsed time is redrawn on a terminal.
const tickEvery = time.Second

// StartElapsed shows that a long wait is alive between its state changes,
// which are about 2 s apart on the lab and 60 to 120 s on AWS. On a
// terminal a last line "… what (12s)" ticks in place, cleared whenever
// anything else is written to stderr; piped, a line "• still what (10s so
// far)" is written every StillWaitingEvery. Nothing goes to stdout. The
// returned stop clears the ticking line and must be called before the
// streams are used from another goroutine.
func (s *IOStreams) StartElapsed(what string) (stop func()) {
	every := StillWaitingEvery
	if s.IsStderrTTY {
		every = tickEvery
	}
	return s.startElapsed(what, every)
}

func (s *IOStreams) startElapsed(what string, every time.Duration) func() {
	orig := s.ErrOut
	tw := &tickWriter{w: orig, tty: s.IsStderrTTY}
	s.ErrOut = tw
	p := newPalette(orig, s.errColor())
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				el := now.Sub(start).Truncate(time.Second)
				if s.IsStderrTTY {
					tw.draw(fmt.Sprintf("%s %s (%s)", p.key("…"), what, el))
				} else {
					tw.line(fmt.Sprintf("%s still %s (%s so far)\n", p.cyan("•"), what, el))
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			tw.clear()
			s.ErrOut = orig
		})
	}
}

// tickWriter is stderr while a wait ticks: every write first clears the
// ticking line, so that progress lines never land after it.
type tickWriter struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	shown bool // a ticking line is on screen
}

func (t *tickWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clearLocked()
	return t.w.Write(b)
}

func (t *tickWriter) draw(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "\r\033[K%s", line)
	t.shown = true
}

func (t *tickWriter) line(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprint(t.w, line)
}

func (t *tickWriter) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clearLocked()
}

func (t *tickWriter) clearLocked() {
	if t.shown {
		fmt.Fprint(t.w, "\r\033[K")
		t.shown = false
	}
}
