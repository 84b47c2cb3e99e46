package config

import (
	"io"
	"os"
	"strings"
)

// maxSecretFile bounds the size of a key file; keys are a few hundred bytes.
const maxSecretFile = 64 << 10

// readSecret returns the value of the variable name, or the content of the
// file named by name+"_FILE" without its trailing line end. Setting both is
// an error. Problems never carry the secret.
func readSecret(value, file, name string, errs *Error) string {
	if file == "" {
		return value
	}
	if value != "" {
		errs.add(name+"_FILE", file, "set either "+Prefix+name+" or "+Prefix+name+"_FILE, not both")
		return ""
	}

	f, err := os.Open(file)
	if err != nil {
		errs.add(name+"_FILE", file, "cannot read the file: "+err.Error())
		return ""
	}
	defer f.Close()

	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	switch {
	case err != nil:
		errs.add(name+"_FILE", file, "cannot read the file: "+err.Error())
		return ""
	case len(data) > maxSecretFile:
		errs.add(name+"_FILE", file, "the file is larger than 64 KiB; it must hold only the key")
		return ""
	}

	key := strings.TrimRight(string(data), "\r\n")
	if key == "" {
		errs.add(name+"_FILE", file, "the file is empty; write the key into it")
	}
	return key
}
