package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// adminFlags are how admin commands reach baton's own API.
type adminFlags struct{ url, token string }

func (f *adminFlags) do(cmd *cobra.Command, method, path string, body any, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(cmd.Context(), method, f.url+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("x-token", f.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var e struct{ Message string }
		if json.Unmarshal(b, &e) == nil && e.Message != "" {
			return fmt.Errorf("%s %s: %s", method, path, e.Message)
		}
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func newAWSCredentialsCmd() *cobra.Command {
	f := &adminFlags{}
	cmd := &cobra.Command{
		Use:   "aws-credentials",
		Short: "Manage the access keys of baton's AWS APIs (SQS, AppConfig)",
		Long: `Manage the access keys that baton's AWS-compatible APIs verify SigV4
signatures against. Secrets are sealed at rest and shown only when created.
Needs the admin token (--token or BATON_TOKEN).`,
	}
	p := cmd.PersistentFlags()
	p.StringVar(&f.url, "url", envDefault("BATON_URL", "http://127.0.0.1:8080"), "baton URL (env BATON_URL)")
	p.StringVar(&f.token, "token", os.Getenv("BATON_TOKEN"), "admin token (env BATON_TOKEN)")
	var desc string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an access key and print it with its secret (shown only now)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var k struct{ AccessKeyID, SecretAccessKey string }
			if err := f.do(cmd, http.MethodPost, "/api/baton/v1/aws-credentials", map[string]string{"description": desc}, &k); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", k.AccessKeyID, k.SecretAccessKey)
			return nil
		},
	}
	create.Flags().StringVar(&desc, "description", "", "what the key is for")
	list := &cobra.Command{
		Use:   "list",
		Short: "List access keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var out struct {
				Credentials []struct{ AccessKeyID, Description, Created string }
			}
			if err := f.do(cmd, http.MethodGet, "/api/baton/v1/aws-credentials", nil, &out); err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ACCESS KEY ID\tCREATED\tDESCRIPTION")
			for _, c := range out.Credentials {
				fmt.Fprintf(w, "%s\t%s\t%s\n", c.AccessKeyID, c.Created, c.Description)
			}
			return w.Flush()
		},
	}
	del := &cobra.Command{
		Use:   "delete ACCESS_KEY_ID",
		Short: "Delete an access key; requests signed with it fail from now on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.do(cmd, http.MethodDelete, "/api/baton/v1/aws-credentials/"+args[0], nil, nil)
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}
