package main

import (
	"fmt"
	"net/http"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// adminDo calls baton's own API with the client the other commands use.
func adminDo(cmd *cobra.Command, method, path string, body, out any) error {
	c, err := newClient()
	if err != nil {
		return err
	}
	return c.Do(cmd.Context(), method, path, body, out)
}

func newAWSCredentialsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aws-credentials",
		Short: "Manage the access keys of baton's AWS APIs (SQS, AppConfig)",
		Long: `Manage the access keys that baton's AWS-compatible APIs verify SigV4
signatures against. Secrets are sealed at rest and shown only when created.
Needs the admin token (baton auth, --api-token or BATON_TOKEN).`,
	}
	var desc string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an access key and print it with its secret (shown only now)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var k struct{ AccessKeyID, SecretAccessKey string }
			if err := adminDo(cmd, http.MethodPost, "/api/baton/v1/aws-credentials", map[string]string{"description": desc}, &k); err != nil {
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
			if err := adminDo(cmd, http.MethodGet, "/api/baton/v1/aws-credentials", nil, &out); err != nil {
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
			return adminDo(cmd, http.MethodDelete, "/api/baton/v1/aws-credentials/"+args[0], nil, nil)
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}
