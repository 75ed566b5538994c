package sqs

import "testing"

const queueArn = "arn:aws:sqs:us-east-1:000000000000:events"

func TestPolicyAllows(t *testing.T) {
	appconfig := Request{Principal: ServiceAppConfig, Action: "sqs:SendMessage", Resource: queueArn,
		Context: map[string]string{"aws:SourceArn": "arn:aws:appconfig:us-east-1:000000000000:application/abc"}}
	for _, tc := range []struct {
		name, doc string
		want      bool
	}{
		{"service allowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueArn + `"}]}`, true},
		{"single statement object", `{"Statement":{"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com","appconfig.amazonaws.com"]},"Action":["sqs:*"],"Resource":"*"}}`, true},
		{"wildcard principal and action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"SQS:Send*","Resource":"arn:aws:sqs:*:*:events"}]}`, true},
		{"other service", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`, false},
		{"other action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:ReceiveMessage","Resource":"*"}]}`, false},
		{"other queue", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:other"}]}`, false},
		{"explicit deny wins", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"},{"Effect":"Deny","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*"}]}`, false},
		{"condition holds", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:appconfig:*:000000000000:application/*"}}}]}`, true},
		{"condition fails", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"appconfig.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`, false},
		{"unknown condition never allows", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}`, false},
	} {
		p, err := ParsePolicy(tc.doc)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := p.Allows(appconfig); got != tc.want {
			t.Errorf("%s: Allows = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{`{`, `{"Statement":[]}`, `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}`, `{"Statement":[{"Effect":"Allow","Principal":"*"}]}`} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%s) succeeded", bad)
		}
	}
}
