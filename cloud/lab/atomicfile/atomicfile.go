// Package atomicfile replaces files so that a crash at any point leaves
// either the old content or the new, never a part, and a completed write
// survives a power cut. The lab's state, its run info and the engines'
// option and pid files, and game-day reports are written through it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data, with permissions perm: it writes a
// temporary file in the same directory, fsyncs it, renames it over path
// and fsyncs the directory, which makes the rename itself durable.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
