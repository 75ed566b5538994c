package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

// cliConfig is what "baton auth" stores: where baton is and the token.
type cliConfig struct {
	Endpoint string `json:"endpoint"`
	Token    string `json:"token"`
}

// configPath is $BATON_CONFIG, else <user config dir>/baton/config.json.
func configPath() (string, error) {
	if p := os.Getenv("BATON_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w (set BATON_CONFIG)", err)
	}
	return filepath.Join(dir, "baton", "config.json"), nil
}

func loadConfig() (cliConfig, error) {
	var c cliConfig
	p, err := configPath()
	if err != nil {
		return c, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("config %s: %w", p, err)
	}
	return c, nil
}

func saveConfig(c cliConfig) (string, error) {
	p, err := configPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	// The file holds the token: only its owner may read it, also when an
	// older file was created with a wider mode (WriteFile keeps that mode).
	if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
		return "", err
	}
	return p, os.Chmod(p, 0o600)
}

// globalFlags are the connection flags every client command takes.
var globalFlags struct {
	endpoint string
	token    string
}

// newClient builds a client from flags, then BATON_ENDPOINT (or BATON_URL)
// and BATON_TOKEN, then the config saved by "baton auth".
func newClient() (*client.Client, error) {
	c, err := loadConfig()
	if err != nil {
		return nil, err
	}
	if v := os.Getenv("BATON_URL"); v != "" {
		c.Endpoint = v
	}
	if v := os.Getenv("BATON_ENDPOINT"); v != "" {
		c.Endpoint = v
	}
	if v := os.Getenv("BATON_TOKEN"); v != "" {
		c.Token = v
	}
	if globalFlags.endpoint != "" {
		c.Endpoint = globalFlags.endpoint
	}
	if globalFlags.token != "" {
		c.Token = globalFlags.token
	}
	if c.Endpoint == "" {
		return nil, errors.New(`no baton endpoint: run "baton auth --endpoint URL --api-token TOKEN" or set BATON_ENDPOINT`)
	}
	return client.New(c.Endpoint, c.Token), nil
}

// addClientCommands adds the commands that talk to a running baton.
func addClientCommands(root *cobra.Command) {
	root.PersistentFlags().StringVar(&globalFlags.endpoint, "endpoint", "", "baton URL (default: from baton auth, or $BATON_ENDPOINT)")
	root.PersistentFlags().StringVar(&globalFlags.token, "api-token", "", "API token (default: from baton auth, or $BATON_TOKEN)")
	root.AddCommand(newAuthCmd(), newStatusCmd(), newCreateCmd(), newDeleteCmd(), newGetCmd(), newSendCmd(), newAddResourceCmd(), newReplayCmd(),
		newDeployCmd(), newAlarmCmd())
	root.AddCommand(newTriggerCmd(), newConfigureCmd())
	root.AddCommand(newControlCmds()...)
}

func newAuthCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "auth",
		Short:   "Check and save the endpoint and API token for the other commands",
		Example: `  baton auth --endpoint http://127.0.0.1:8080 --api-token "$BATON_TOKEN"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if globalFlags.endpoint == "" || globalFlags.token == "" {
				return errors.New("baton auth needs --endpoint and --api-token")
			}
			c := client.New(globalFlags.endpoint, globalFlags.token)
			if err := c.Auth(cmd.Context()); err != nil {
				return fmt.Errorf("authentication failed: %w", err)
			}
			p, err := saveConfig(cliConfig{Endpoint: c.Endpoint, Token: globalFlags.token})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Successfully authenticated against %s\nSaved to %s\n", c.Endpoint, p)
			return nil
		},
	}
}

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show which baton the CLI talks to and whether the token works",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			if err := c.Auth(cmd.Context()); err != nil {
				return fmt.Errorf("%s: %w", c.Endpoint, err)
			}
			m, err := c.Metadata(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Authenticated against %s (%s, Keptn API %s)\n", c.Endpoint, m.BridgeVersion, m.KeptnVersion)
			return nil
		},
	}
}

// printJSON writes v indented.
func printJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
