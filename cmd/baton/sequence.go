package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/client"
)

// cliSource is the source of events the CLI sends, as Keptn's CLI.
const cliSource = "https://github.com/keptn/keptn/cli"

func newTriggerCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "trigger", Short: "Trigger sequences"}
	cmd.AddCommand(newTriggerSequenceCmd(), newTriggerDeliveryCmd(), newTriggerEvaluationCmd())
	return cmd
}

func newTriggerSequenceCmd() *cobra.Command {
	var project, stage, service string
	var data []string
	var watch bool
	cmd := &cobra.Command{
		Use:   "sequence NAME --project P --stage S --service V [--data k=v]...",
		Short: "Trigger a sequence of the shipyard in a stage for a service",
		Long: `Send sh.keptn.event.<stage>.<NAME>.triggered. --data adds fields to the event's
data; dotted keys nest (--data configurationChange.values.image=web:2).`,
		Example: "  baton trigger sequence hotfix --project demo --stage dev --service web --data reason=cve --watch",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseData(data)
			if err != nil {
				return err
			}
			return trigger(cmd, project, stage, service, args[0], d, watch)
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project (required)")
	f.StringVar(&stage, "stage", "", "stage (required)")
	f.StringVar(&service, "service", "", "service (required)")
	f.StringArrayVar(&data, "data", nil, "data field key=value (repeatable; dotted keys nest)")
	f.BoolVar(&watch, "watch", false, "show the task timeline until the sequence ends")
	for _, n := range []string{"project", "stage", "service"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

func newTriggerDeliveryCmd() *cobra.Command {
	var project, stage, service, image, sequence string
	var labels []string
	var watch bool
	cmd := &cobra.Command{
		Use:     "delivery --project P --service V --image IMAGE [--stage S]",
		Short:   "Deliver an image: trigger the delivery sequence (first stage by default)",
		Example: "  baton trigger delivery --project demo --service web --image ghcr.io/acme/web:1.2.0 --watch",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d := map[string]any{"configurationChange": map[string]any{"values": map[string]any{"image": image}}}
			if len(labels) > 0 {
				l := map[string]any{}
				for _, kv := range labels {
					k, v, ok := strings.Cut(kv, "=")
					if !ok || k == "" {
						return fmt.Errorf("--labels %q: want key=value", kv)
					}
					l[k] = v
				}
				d["labels"] = l
			}
			return trigger(cmd, project, stage, service, sequence, d, watch)
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project (required)")
	f.StringVar(&service, "service", "", "service (required)")
	f.StringVar(&image, "image", "", "image to deliver (required)")
	f.StringVar(&stage, "stage", "", "stage (default: the shipyard's first stage)")
	f.StringVar(&sequence, "sequence", "delivery", "sequence to trigger")
	f.StringArrayVar(&labels, "labels", nil, "label key=value (repeatable)")
	f.BoolVar(&watch, "watch", false, "show the task timeline until the sequence ends")
	for _, n := range []string{"project", "service", "image"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

func trigger(cmd *cobra.Command, project, stage, service, sequence string, data map[string]any, watch bool) error {
	c, err := newClient()
	if err != nil {
		return err
	}
	if stage, err = checkTarget(cmd.Context(), c, project, stage, service, sequence); err != nil {
		return err
	}
	kc, err := c.TriggerSequence(cmd.Context(), project, stage, service, sequence, cliSource, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Started sequence %s in stage %s for %s/%s, keptnContext: %s\n", sequence, stage, project, service, kc)
	if !watch {
		return nil
	}
	return watchSequence(cmd.Context(), c, cmd.OutOrStdout(), project, kc)
}

// parseData turns key=value pairs into a data map; dotted keys nest.
func parseData(pairs []string) (map[string]any, error) {
	out := map[string]any{}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--data %q: want key=value", kv)
		}
		keys := strings.Split(k, ".")
		m := out
		for _, key := range keys[:len(keys)-1] {
			next, ok := m[key].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[key] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
	return out, nil
}

func newGetSequencesCmd() *cobra.Command {
	var project, keptnContext, state, name, output string
	cmd := &cobra.Command{
		Use:     "sequences --project P",
		Aliases: []string{"sequence"},
		Short:   "List a project's sequences, newest first",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient()
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{"keptnContext": keptnContext, "state": state, "name": name} {
				if v != "" {
					q.Set(k, v)
				}
			}
			states, err := c.SequenceStates(cmd.Context(), project, q)
			if err != nil {
				return err
			}
			if output == "json" {
				return printJSON(cmd, states)
			}
			return printSequences(cmd.OutOrStdout(), states, time.Now())
		},
	}
	f := cmd.Flags()
	f.StringVar(&project, "project", "", "project (required)")
	f.StringVar(&keptnContext, "keptn-context", "", "only these keptnContexts (comma-separated)")
	f.StringVar(&state, "state", "", "only sequences in this state (started, waiting, paused, finished, aborted, timedOut…)")
	f.StringVar(&name, "name", "", "only sequences with this name")
	f.StringVarP(&output, "output", "o", "table", "output: table or json")
	_ = cmd.MarkFlagRequired("project")
	return cmd
}

// newControlCmds returns pause, resume and abort, each with a "sequence" subcommand.
func newControlCmds() []*cobra.Command {
	var cmds []*cobra.Command
	for _, op := range []struct{ verb, state, short string }{
		{"pause", "pause", "Pause a sequence: no further tasks are dispatched until it resumes"},
		{"resume", "resume", "Resume a paused sequence"},
		{"abort", "abort", "Abort a sequence: it ends with status aborted and the next queued one starts"},
	} {
		var project, keptnContext, stage string
		sub := &cobra.Command{
			Use:   "sequence --project P --keptn-context C [--stage S]",
			Short: op.short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				c, err := newClient()
				if err != nil {
					return err
				}
				if err := c.ControlSequence(cmd.Context(), project, keptnContext, op.state, stage); err != nil {
					var ce *client.Error
					if errors.As(err, &ce) && ce.Status == 404 {
						return fmt.Errorf("no sequence with keptnContext %s in project %s", keptnContext, project)
					}
					return err
				}
				where := "all stages"
				if stage != "" {
					where = "stage " + stage
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Sent %s for sequence %s (%s)\n", op.state, keptnContext, where)
				return nil
			},
		}
		sub.Flags().StringVar(&project, "project", "", "project (required)")
		sub.Flags().StringVar(&keptnContext, "keptn-context", "", "keptnContext of the sequence (required)")
		sub.Flags().StringVar(&stage, "stage", "", "only this stage (default: all)")
		_ = sub.MarkFlagRequired("project")
		_ = sub.MarkFlagRequired("keptn-context")
		parent := &cobra.Command{Use: op.verb, Short: op.short}
		parent.AddCommand(sub)
		cmds = append(cmds, parent)
	}
	return cmds
}
