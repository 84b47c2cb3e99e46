package config

// validateAgent checks the agent backend's settings when it is selected.
func (c *Config) validateAgent(errs *Error) {
	if c.Backend != "agent" {
		return
	}
	if c.AgentURL == "" {
		errs.add("AGENT_URL", "", "is required when "+Prefix+"BACKEND=agent: set the full URL of the remote /status, such as https://10.0.0.5:8085/status")
	}
}
