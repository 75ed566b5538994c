package sqlite

import (
	"fmt"
	"io"
	"os"
)

// Growing the write-ahead log ahead of the writer.
//
// A commit appends its frames to the log and, with synchronous=FULL, flushes
// the log. While the frames land past the end of the file, every commit
// changes the file's size, so its flush must commit the file system's
// journal as well as the data: on ext4 such an fsync takes about twice as
// long as one of blocks already written. SQLite starts the log over from its
// beginning once a checkpoint has copied all of it, and never shrinks the
// file (baton sets no journal_size_limit), so a log that has once reached
// its bound (walCapPages) is only overwritten after that; but a store opened
// afresh appends with every commit until then: in the first tens of
// megabytes written after every start.
//
// So the writer, between two groups, writes zeros past the end of the log
// whenever a commit has taken it past what was there before, walGrowChunk at
// a time and never past the log's bound; the commits that follow overwrite
// them, and only one commit per chunk extends the file. Zeros past the last
// frame change nothing that SQLite reads: recovery stops at the first frame
// whose salt and checksum do not match, as it does at the stale frames that
// a restarted log leaves behind. Only the writer's connection writes to the
// log, and only inside the writer's transactions, so zeros written between
// them never overlap a frame. The next commit's fsync makes them durable
// along with its own frames.

const (
	// walGrowFrom is the log size from which the writer grows it: small
	// stores (and tests) keep small logs.
	walGrowFrom = 1 << 20
	// walGrowChunk is how much the writer adds at a time.
	walGrowChunk = 1 << 20
)

// walGrower grows the log file; only the writer goroutine uses it.
type walGrower struct {
	path  string
	f     *os.File
	size  int64 // the file's size after the last growth (or when last seen)
	from  int64 // walGrowFrom
	limit int64 // the log's bound in bytes: never grow past it
	zeros []byte
	off   bool // after an error: the log just grows as SQLite writes it
}

// newWALGrower returns a grower for the log at path, whose bound is
// capPages pages of pageSize bytes.
func newWALGrower(path string, capPages, pageSize int) *walGrower {
	const frameHeader, walHeader = 24, 32
	return &walGrower{path: path, from: walGrowFrom, limit: walHeader + int64(capPages)*int64(pageSize+frameHeader)}
}

// grow adds zeros at the end of the log if the last commit took it past the
// end of the previous growth. It must only run while no transaction is
// open on the writer's connection. An error turns growing off for good: it
// saves time, it is not needed.
func (g *walGrower) grow() {
	if g.off {
		return
	}
	if err := g.growOnce(); err != nil {
		g.off = true
	}
}

func (g *walGrower) growOnce() error {
	if g.f == nil {
		f, err := os.OpenFile(g.path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		g.f = f
	}
	size, err := g.f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if size <= g.size || size < g.from || size >= g.limit {
		g.size = size // also when the file shrank: grow again from there
		return nil
	}
	n := min(walGrowChunk, g.limit-size)
	if g.zeros == nil {
		g.zeros = make([]byte, walGrowChunk)
	}
	if _, err := g.f.WriteAt(g.zeros[:n], size); err != nil {
		return fmt.Errorf("grow %s: %w", g.path, err)
	}
	g.size = size + n
	return nil
}

// close closes the grower's file.
func (g *walGrower) close() error {
	if g.f == nil {
		return nil
	}
	return g.f.Close()
}
