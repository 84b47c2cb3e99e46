package main

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteKeepsModeAndContent(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(src, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "lambda", "function.zip")

	if err := write(out, []string{src}); err != nil {
		t.Fatalf("write: %v", err)
	}

	r, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.File) != 1 {
		t.Fatalf("archive has %d files, want 1", len(r.File))
	}
	f := r.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("name = %q, want bootstrap at the root", f.Name)
	}
	if f.Mode().Perm() != 0o755 {
		t.Errorf("mode = %v, want -rwxr-xr-x", f.Mode())
	}
	if !f.Modified.Equal(modTime) {
		t.Errorf("modified = %v, want %v", f.Modified, modTime)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "#!/bin/sh\n" {
		t.Errorf("content = %q, want the file's", data)
	}
}
