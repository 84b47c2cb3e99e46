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
		if msg := checkKey(value); value != "" && msg != "" {
			errs.add(name, "", msg)
		}
		return value
	}
	if value != "" {
		errs.add(name+"_FILE", file, "set either "+Prefix+name+" or "+Prefix+name+"_FILE, not both")
		return ""
	}

	// A FIFO or a device would block start-up or never end.
	if info, err := os.Stat(file); err == nil && !info.Mode().IsRegular() {
		errs.add(name+"_FILE", file, "must be a regular file that contains the key")
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
		return ""
	}
	if msg := checkKey(key); msg != "" {
		errs.add(name+"_FILE", file, "the key in the file "+msg)
	}
	return key
}

// checkKey returns what is wrong with an API key, or "". HTTP servers trim
// spaces around header values and reject control characters, so such a
// key could never match.
func checkKey(key string) string {
	if strings.TrimSpace(key) != key {
		return "starts or ends with a space; remove it"
	}
	for _, r := range key {
		if r < 0x20 || r > 0x7e {
			return "has a character other than printable ASCII (such as a line break or a byte order mark); use printable ASCII only"
		}
	}
	return ""
}
