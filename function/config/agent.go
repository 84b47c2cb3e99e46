package config

import (
	"crypto/tls"
	"strings"

	"github.com/kesl-status/kesl-status/backends/agent"
)

// validateAgent checks the agent backend's settings when it is selected:
// the URL, the CA file and the client certificate with its key.
func (c *Config) validateAgent(errs *Error) {
	if c.Backend != "agent" {
		return
	}

	if c.AgentURL == "" {
		errs.add("AGENT_URL", "", "is required when "+Prefix+"BACKEND=agent: set the full URL of the remote /status, such as https://10.0.0.5:8085/status")
	} else if _, err := agent.ParseURL(c.AgentURL); err != nil {
		errs.add("AGENT_URL", urlForMessage(c.AgentURL), err.Error()+". Set the full URL of the remote /status, such as https://10.0.0.5:8085/status")
	}

	if c.AgentCAFile != "" && !errs.has("AGENT_CA_FILE") {
		if _, err := agent.LoadCertPool(c.AgentCAFile); err != nil {
			errs.add("AGENT_CA_FILE", c.AgentCAFile, "cannot load the CA certificates: "+err.Error())
		}
	}

	switch {
	case c.AgentCertFile == "" && c.AgentKeyFile == "":
	case c.AgentKeyFile == "":
		errs.add("AGENT_KEY_FILE", "", "is required with "+Prefix+"AGENT_CERT_FILE: set the file of the client certificate's private key")
	case c.AgentCertFile == "":
		errs.add("AGENT_CERT_FILE", "", "is required with "+Prefix+"AGENT_KEY_FILE: set the file of the client certificate")
	case errs.has("AGENT_CERT_FILE") || errs.has("AGENT_KEY_FILE"):
	default:
		if _, err := tls.LoadX509KeyPair(c.AgentCertFile, c.AgentKeyFile); err != nil {
			errs.add("AGENT_CERT_FILE", c.AgentCertFile, keyPairMessage(Prefix+"AGENT_KEY_FILE", err))
		}
	}
}

// urlForMessage returns raw for an error message, or nothing when raw may
// contain a password before an "@".
func urlForMessage(raw string) string {
	if strings.Contains(raw, "@") {
		return ""
	}
	return raw
}
