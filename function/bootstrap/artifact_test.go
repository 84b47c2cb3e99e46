package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kesl-status/kesl-status/internal/testutil"
)

// TestArtifact builds the deployment binary as sam build does, through
// make build-StatusFunction, and checks that Lambda's provided.al2023
// runtime on arm64 can run it: a file named bootstrap, an ELF executable
// for aarch64, linked statically.
func TestArtifact(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a cross-compiled binary")
	}
	makePath, err := exec.LookPath("make")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("make not found in PATH")
		}
		t.Skip("make not found in PATH")
	}

	dir := t.TempDir()
	cmd := exec.Command(makePath, "build-StatusFunction", "GOARCH=arm64", "ARTIFACTS_DIR="+dir)
	cmd.Dir = testutil.ModuleRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build-StatusFunction: %v\n%s", err, out)
	}

	path := filepath.Join(dir, "bootstrap")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("artefact: %v", err)
	}
	if info.Mode()&0o111 == 0 {
		t.Errorf("%s mode = %v, want executable", path, info.Mode())
	}
	t.Logf("bootstrap for arm64: %d bytes", info.Size())

	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("read %s as ELF: %v", path, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("ELF machine = %v, want EM_AARCH64", f.Machine)
	}
	if f.Type != elf.ET_EXEC {
		t.Errorf("ELF type = %v, want ET_EXEC", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("ELF has a %v program header, want a static binary", p.Type)
		}
	}
	if f.Section(".dynamic") != nil {
		t.Error("ELF has a .dynamic section, want a static binary")
	}
	if f.Section(".symtab") != nil {
		t.Error("ELF has a .symtab section, want a stripped binary")
	}
}
