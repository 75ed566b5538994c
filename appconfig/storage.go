package appconfig

import (
	"encoding/json"
	"fmt"
)

// This file holds what every storage engine does alike with AppConfig
// values (no SQL).

// storedDeployment is a deployment as stored: the wire shape plus the
// engine's bookkeeping.
type storedDeployment struct {
	*Deployment
	Engine *EngineState `json:"_engine"`
}

// EncodeDeployment returns d as stored, with the engine's state.
func EncodeDeployment(d *Deployment) ([]byte, error) {
	return json.Marshal(storedDeployment{Deployment: d, Engine: &d.Engine})
}

// DecodeDeployment decodes a deployment stored by EncodeDeployment.
func DecodeDeployment(body []byte) (*Deployment, error) {
	d := &Deployment{}
	if err := json.Unmarshal(body, &storedDeployment{Deployment: d, Engine: &d.Engine}); err != nil {
		return nil, fmt.Errorf("decode deployment: %w", err)
	}
	return d, nil
}

// Name returns the kind's name in AWS error messages.
func (k Kind) Name() string {
	switch k {
	case KindApplication:
		return "Application"
	case KindEnvironment:
		return "Environment"
	case KindProfile:
		return "ConfigurationProfile"
	case KindStrategy:
		return "DeploymentStrategy"
	}
	return string(k)
}
