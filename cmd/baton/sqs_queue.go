package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/spf13/cobra"
)

// queueFlags are how the queue commands reach baton's SQS API.
type queueFlags struct{ awsFlags }

func (f *queueFlags) client() (*sqs.Client, error) {
	url, creds, err := f.endpoint()
	if err != nil {
		return nil, err
	}
	return sqs.New(sqs.Options{Region: f.region, BaseEndpoint: aws.String(url), Credentials: creds}), nil
}

// queueURL resolves a queue name or URL.
func (f *queueFlags) queueURL(cmd *cobra.Command, c *sqs.Client, nameOrURL string) (*string, error) {
	if strings.Contains(nameOrURL, "://") {
		return &nameOrURL, nil
	}
	out, err := c.GetQueueUrl(cmd.Context(), &sqs.GetQueueUrlInput{QueueName: &nameOrURL})
	if err != nil {
		return nil, err
	}
	return out.QueueUrl, nil
}

func newQueueCmd() *cobra.Command {
	f := &queueFlags{}
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "Look at baton's SQS queues without the AWS tools",
		Long: `Look at baton's SQS queues without the AWS tools. The commands speak the SQS
API like any client; credentials come from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (see "baton aws-credentials").`,
	}
	f.add(cmd.PersistentFlags())
	cmd.AddCommand(queueListCmd(f), queueSendCmd(f), queueReceiveCmd(f), queuePurgeCmd(f))
	return cmd
}

func queueListCmd(f *queueFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list [prefix]",
		Short: "List queues with their approximate message counts",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			in := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
			if len(args) == 1 {
				in.QueueNamePrefix = &args[0]
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%-10s %-10s %-10s %s\n", "VISIBLE", "INFLIGHT", "DELAYED", "QUEUE")
			p := sqs.NewListQueuesPaginator(c, in)
			for p.HasMorePages() {
				page, err := p.NextPage(cmd.Context())
				if err != nil {
					return err
				}
				for _, u := range page.QueueUrls {
					a, err := c.GetQueueAttributes(cmd.Context(), &sqs.GetQueueAttributesInput{QueueUrl: &u,
						AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"}})
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "%-10s %-10s %-10s %s\n", a.Attributes["ApproximateNumberOfMessages"],
						a.Attributes["ApproximateNumberOfMessagesNotVisible"], a.Attributes["ApproximateNumberOfMessagesDelayed"], u)
				}
			}
			return nil
		},
	}
}

func queueSendCmd(f *queueFlags) *cobra.Command {
	var group, dedup string
	var delay int32
	cmd := &cobra.Command{
		Use:   "send QUEUE BODY",
		Short: `Send a message (BODY "-" reads standard input)`,
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			url, err := f.queueURL(cmd, c, args[0])
			if err != nil {
				return err
			}
			body := args[1]
			if body == "-" {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return err
				}
				body = string(b)
			}
			in := &sqs.SendMessageInput{QueueUrl: url, MessageBody: &body, DelaySeconds: delay}
			if group != "" {
				in.MessageGroupId = &group
			}
			if dedup != "" {
				in.MessageDeduplicationId = &dedup
			}
			out, err := c.SendMessage(cmd.Context(), in)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), aws.ToString(out.MessageId))
			return nil
		},
	}
	cmd.Flags().StringVar(&group, "group", "", "message group id (FIFO queues)")
	cmd.Flags().StringVar(&dedup, "dedup", "", "deduplication id (FIFO queues)")
	cmd.Flags().Int32Var(&delay, "delay", 0, "delay in seconds (standard queues)")
	return cmd
}

func queueReceiveCmd(f *queueFlags) *cobra.Command {
	var max, wait int32
	var del bool
	cmd := &cobra.Command{
		Use:   "receive QUEUE",
		Short: "Receive messages and print them as JSON lines",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			url, err := f.queueURL(cmd, c, args[0])
			if err != nil {
				return err
			}
			out, err := c.ReceiveMessage(cmd.Context(), &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: wait,
				MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			for _, m := range out.Messages {
				if err := enc.Encode(map[string]any{"MessageId": m.MessageId, "Body": m.Body, "Attributes": m.Attributes,
					"MessageAttributes": m.MessageAttributes, "ReceiptHandle": m.ReceiptHandle}); err != nil {
					return err
				}
				if del {
					if _, err := c.DeleteMessage(cmd.Context(), &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().Int32Var(&max, "max", 10, "most messages to receive (1-10)")
	cmd.Flags().Int32Var(&wait, "wait", 0, "long-poll for up to this many seconds (0-20)")
	cmd.Flags().BoolVar(&del, "delete", false, "delete each message after printing it")
	return cmd
}

func queuePurgeCmd(f *queueFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "purge QUEUE",
		Short: "Delete every message of a queue",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			url, err := f.queueURL(cmd, c, args[0])
			if err != nil {
				return err
			}
			if _, err := c.PurgeQueue(cmd.Context(), &sqs.PurgeQueueInput{QueueUrl: url}); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "purged", aws.ToString(url))
			return nil
		},
	}
}
