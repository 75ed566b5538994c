package sqlite

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlitelib "modernc.org/sqlite/lib"
)

// Gathering the log's writes: the VFS baton-wal.
//
// SQLite appends a commit's frames to the write-ahead log with two writes per
// frame, its 24-byte header and then its page, and each is a pwrite system
// call. A commit of the sequence engine carries about 30 frames: some 60
// calls, which took about 150 µs of the writer's time per commit on the
// development machine, more than the rest of the log's work together
// (`go test ./sqlite -bench WALWrites` shows the difference).
//
// baton-wal wraps SQLite's unix VFS and changes one thing: the writes to a
// log file that continue one another are gathered in memory, up to
// walBufCap bytes, and reach the file in one write before anything that
// needs them there: a sync, a read, a truncation, a size query, a file
// control or mapping, a write elsewhere in the file, and closing it. Every
// other file (the database, temporary files) is the unix VFS's own, and so
// is every other method of the log.
//
// That is safe because the stores that use it run at synchronous=FULL: there
// SQLite syncs the log after a commit's frames and before it publishes them
// in the wal-index, so no connection, in this process or another, can be
// told of a frame that is still gathered here, and a commit is only answered
// after that sync, so nothing acknowledged lives in this memory. Frames
// written without a commit (a transaction larger than the page cache spills
// some) are read back through the same file, which sends them first. A
// failure to write gathered frames is reported by the call that sends them
// (the commit's sync), which fails the commit, as a failed write-back
// surfaces at fsync. At synchronous=NORMAL a commit does not sync the log,
// so a store opened so keeps the plain unix VFS.
//
// The VFS is registered once per process, by the first store opened at
// FULL, and never unregistered. modernc's SQLite is Go: a C function pointer
// is a Go func value's pointer, so the methods below are funcs without
// captured variables, whose values never move.

const walVFSName = "baton-wal"

// walBufCap bounds what one log gathers: below the 128 KiB that the unix
// VFS writes in one call, and a commit of the sequence engine (about 30
// frames of 4 KiB) fits.
const walBufCap = 124 << 10

// walBuf is what one open log has gathered. SQLite uses a file from one
// connection at a time, so it needs no lock of its own.
type walBuf struct {
	mem uintptr // walBufCap bytes of C memory
	off int64   // the file offset of mem's first byte
	n   int32   // bytes gathered
}

var (
	walVFSOnce sync.Once
	walVFSErr  error
	unixVFS    uintptr // the unix VFS that baton-wal wraps
	unixOpen   xOpenFn
	walVFS     sqlitelib.Tsqlite3_vfs
	walMethods sqlitelib.Tsqlite3_io_methods
	walBufs    sync.Map // a log's sqlite3_file pointer → *walBuf

	// walWritesIn and walWritesOut count the writes SQLite made to logs and
	// the writes that reached the files (tests).
	walWritesIn, walWritesOut atomic.Int64
)

type (
	xOpenFn     = func(*libc.TLS, uintptr, uintptr, uintptr, int32, uintptr) int32
	xFileFn     = func(*libc.TLS, uintptr) int32
	xRWFn       = func(*libc.TLS, uintptr, uintptr, int32, int64) int32
	xTruncateFn = func(*libc.TLS, uintptr, int64) int32
	xFileIntFn  = func(*libc.TLS, uintptr, int32) int32
	xFilePtrFn  = func(*libc.TLS, uintptr, uintptr) int32
	xFcntlFn    = func(*libc.TLS, uintptr, int32, uintptr) int32
	xShmMapFn   = func(*libc.TLS, uintptr, int32, int32, int32, uintptr) int32
	xShmLockFn  = func(*libc.TLS, uintptr, int32, int32, int32) int32
	xShmBarFn   = func(*libc.TLS, uintptr)
	xFetchFn    = func(*libc.TLS, uintptr, int64, int32, uintptr) int32
	xUnfetchFn  = func(*libc.TLS, uintptr, int64, uintptr) int32
)

// cmem is C memory at address p (SQLite's, never the Go heap's).
func cmem(p uintptr) unsafe.Pointer { return unsafe.Add(nil, p) }

// goFunc is the Go func of type T behind a C function pointer.
func goFunc[T any](p uintptr) T { return *(*T)(unsafe.Pointer(&struct{ uintptr }{p})) }

// cFunc is a Go func as a C function pointer; f must capture nothing.
func cFunc[T any](f T) uintptr { return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f})) }

// A log's sqlite3_file is baton-wal's methods pointer followed by the unix
// VFS's file; inner returns that file and its methods.
func inner(pFile uintptr) (uintptr, *sqlitelib.Tsqlite3_io_methods) {
	p := pFile + unsafe.Sizeof(uintptr(0))
	return p, (*sqlitelib.Tsqlite3_io_methods)(cmem(*(*uintptr)(cmem(p))))
}

// useWALVFS registers baton-wal if it is not yet and reports its error.
func useWALVFS() error {
	walVFSOnce.Do(func() { walVFSErr = registerWALVFS() })
	return walVFSErr
}

func registerWALVFS() error {
	tls := libc.NewTLS()
	defer tls.Close()
	unixVFS = sqlitelib.Xsqlite3_vfs_find(tls, 0)
	if unixVFS == 0 {
		return fmt.Errorf("sqlite: no default VFS")
	}
	u := (*sqlitelib.Tsqlite3_vfs)(cmem(unixVFS))
	unixOpen = goFunc[xOpenFn](u.FxOpen)
	name, err := libc.CString(walVFSName)
	if err != nil {
		return err
	}
	walVFS = *u
	walVFS.FszOsFile = u.FszOsFile + int32(unsafe.Sizeof(uintptr(0)))
	walVFS.FpNext = 0
	walVFS.FzName = name
	walVFS.FxOpen = cFunc[xOpenFn](walOpen)
	walMethods = sqlitelib.Tsqlite3_io_methods{
		FiVersion:               3,
		FxClose:                 cFunc[xFileFn](walClose),
		FxRead:                  cFunc[xRWFn](walRead),
		FxWrite:                 cFunc[xRWFn](walWrite),
		FxTruncate:              cFunc[xTruncateFn](walTruncate),
		FxSync:                  cFunc[xFileIntFn](walSync),
		FxFileSize:              cFunc[xFilePtrFn](walFileSize),
		FxLock:                  cFunc[xFileIntFn](walLock),
		FxUnlock:                cFunc[xFileIntFn](walUnlock),
		FxCheckReservedLock:     cFunc[xFilePtrFn](walCheckReservedLock),
		FxFileControl:           cFunc[xFcntlFn](walFileControl),
		FxSectorSize:            cFunc[xFileFn](walSectorSize),
		FxDeviceCharacteristics: cFunc[xFileFn](walDeviceCharacteristics),
		FxShmMap:                cFunc[xShmMapFn](walShmMap),
		FxShmLock:               cFunc[xShmLockFn](walShmLock),
		FxShmBarrier:            cFunc[xShmBarFn](walShmBarrier),
		FxShmUnmap:              cFunc[xFileIntFn](walShmUnmap),
		FxFetch:                 cFunc[xFetchFn](walFetch),
		FxUnfetch:               cFunc[xUnfetchFn](walUnfetch),
	}
	if rc := sqlitelib.Xsqlite3_vfs_register(tls, uintptr(unsafe.Pointer(&walVFS)), 0); rc != sqlitelib.SQLITE_OK {
		return fmt.Errorf("sqlite: register VFS %s: code %d", walVFSName, rc)
	}
	return nil
}

// walOpen opens logs behind baton-wal's methods and every other file as
// the unix VFS does, in place.
func walOpen(tls *libc.TLS, _ uintptr, zName, pFile uintptr, flags int32, pOutFlags uintptr) int32 {
	if flags&sqlitelib.SQLITE_OPEN_WAL == 0 {
		return unixOpen(tls, unixVFS, zName, pFile, flags, pOutFlags)
	}
	*(*uintptr)(cmem(pFile)) = 0 // SQLite closes nothing if the open fails
	p := pFile + unsafe.Sizeof(uintptr(0))
	rc := unixOpen(tls, unixVFS, zName, p, flags, pOutFlags)
	if rc != sqlitelib.SQLITE_OK {
		if *(*uintptr)(cmem(p)) != 0 {
			_, m := inner(pFile)
			goFunc[xFileFn](m.FxClose)(tls, p)
		}
		return rc
	}
	mem := libc.Xmalloc(tls, walBufCap)
	if mem == 0 {
		_, m := inner(pFile)
		goFunc[xFileFn](m.FxClose)(tls, p)
		return sqlitelib.SQLITE_NOMEM
	}
	walBufs.Store(pFile, &walBuf{mem: mem})
	*(*uintptr)(cmem(pFile)) = uintptr(unsafe.Pointer(&walMethods))
	return sqlitelib.SQLITE_OK
}

// walSend writes what the log at pFile has gathered to the file.
func walSend(tls *libc.TLS, pFile uintptr) int32 {
	v, ok := walBufs.Load(pFile)
	if !ok {
		return sqlitelib.SQLITE_OK
	}
	b := v.(*walBuf)
	if b.n == 0 {
		return sqlitelib.SQLITE_OK
	}
	p, m := inner(pFile)
	n := b.n
	b.n = 0
	walWritesOut.Add(1)
	return goFunc[xRWFn](m.FxWrite)(tls, p, b.mem, n, b.off)
}

func walWrite(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	walWritesIn.Add(1)
	v, _ := walBufs.Load(pFile)
	b := v.(*walBuf)
	if b.n > 0 && iOfst == b.off+int64(b.n) && b.n+iAmt <= walBufCap {
		libc.Xmemcpy(tls, b.mem+uintptr(b.n), pBuf, uint64(iAmt))
		b.n += iAmt
		return sqlitelib.SQLITE_OK
	}
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	if iAmt > walBufCap/2 { // larger than any frame: nothing to gather
		p, m := inner(pFile)
		walWritesOut.Add(1)
		return goFunc[xRWFn](m.FxWrite)(tls, p, pBuf, iAmt, iOfst)
	}
	libc.Xmemcpy(tls, b.mem, pBuf, uint64(iAmt))
	b.off, b.n = iOfst, iAmt
	return sqlitelib.SQLITE_OK
}

func walClose(tls *libc.TLS, pFile uintptr) int32 {
	rc := walSend(tls, pFile)
	p, m := inner(pFile)
	if rc2 := goFunc[xFileFn](m.FxClose)(tls, p); rc == sqlitelib.SQLITE_OK {
		rc = rc2
	}
	if v, ok := walBufs.LoadAndDelete(pFile); ok {
		libc.Xfree(tls, v.(*walBuf).mem)
	}
	return rc
}

func walRead(tls *libc.TLS, pFile, pBuf uintptr, iAmt int32, iOfst int64) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xRWFn](m.FxRead)(tls, p, pBuf, iAmt, iOfst)
}

func walTruncate(tls *libc.TLS, pFile uintptr, size int64) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xTruncateFn](m.FxTruncate)(tls, p, size)
}

func walSync(tls *libc.TLS, pFile uintptr, flags int32) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xFileIntFn](m.FxSync)(tls, p, flags)
}

func walFileSize(tls *libc.TLS, pFile, pSize uintptr) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xFilePtrFn](m.FxFileSize)(tls, p, pSize)
}

func walFileControl(tls *libc.TLS, pFile uintptr, op int32, pArg uintptr) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xFcntlFn](m.FxFileControl)(tls, p, op, pArg)
}

func walFetch(tls *libc.TLS, pFile uintptr, off int64, n int32, pp uintptr) int32 {
	if rc := walSend(tls, pFile); rc != sqlitelib.SQLITE_OK {
		return rc
	}
	p, m := inner(pFile)
	return goFunc[xFetchFn](m.FxFetch)(tls, p, off, n, pp)
}

// The methods that neither read nor write the file's bytes pass through.

func walLock(tls *libc.TLS, pFile uintptr, l int32) int32 {
	p, m := inner(pFile)
	return goFunc[xFileIntFn](m.FxLock)(tls, p, l)
}

func walUnlock(tls *libc.TLS, pFile uintptr, l int32) int32 {
	p, m := inner(pFile)
	return goFunc[xFileIntFn](m.FxUnlock)(tls, p, l)
}

func walCheckReservedLock(tls *libc.TLS, pFile, pResOut uintptr) int32 {
	p, m := inner(pFile)
	return goFunc[xFilePtrFn](m.FxCheckReservedLock)(tls, p, pResOut)
}

func walSectorSize(tls *libc.TLS, pFile uintptr) int32 {
	p, m := inner(pFile)
	return goFunc[xFileFn](m.FxSectorSize)(tls, p)
}

func walDeviceCharacteristics(tls *libc.TLS, pFile uintptr) int32 {
	p, m := inner(pFile)
	return goFunc[xFileFn](m.FxDeviceCharacteristics)(tls, p)
}

func walShmMap(tls *libc.TLS, pFile uintptr, iPg, pgsz, bExtend int32, pp uintptr) int32 {
	p, m := inner(pFile)
	return goFunc[xShmMapFn](m.FxShmMap)(tls, p, iPg, pgsz, bExtend, pp)
}

func walShmLock(tls *libc.TLS, pFile uintptr, offset, n, flags int32) int32 {
	p, m := inner(pFile)
	return goFunc[xShmLockFn](m.FxShmLock)(tls, p, offset, n, flags)
}

func walShmBarrier(tls *libc.TLS, pFile uintptr) {
	p, m := inner(pFile)
	goFunc[xShmBarFn](m.FxShmBarrier)(tls, p)
}

func walShmUnmap(tls *libc.TLS, pFile uintptr, deleteFlag int32) int32 {
	p, m := inner(pFile)
	return goFunc[xFileIntFn](m.FxShmUnmap)(tls, p, deleteFlag)
}

func walUnfetch(tls *libc.TLS, pFile uintptr, off int64, pp uintptr) int32 {
	p, m := inner(pFile)
	return goFunc[xUnfetchFn](m.FxUnfetch)(tls, p, off, pp)
}
