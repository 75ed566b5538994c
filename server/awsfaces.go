package server

import (
	"net/http"
	"strings"

	"github.com/batonhq/baton/appconfig"
	"github.com/batonhq/baton/awsauth"
)

// Body caps of the AWS faces, from what AWS allows on each (see
// docs/aws-auth.md). Config.MaxBody applies to the Keptn face and baton's own
// API only.
const (
	// appConfigMaxBody caps AppConfig requests other than hosted versions:
	// their largest members (validators, extension actions) are tens of KiB.
	appConfigMaxBody = 1 << 20
	// appConfigMaxHosted caps CreateHostedConfigurationVersion: AppConfig's
	// 2 MB content, plus one byte so the domain can say the content is too
	// large in its own words.
	appConfigMaxHosted = appconfig.MaxContent + 1
)

// sqsMaxBody caps SQS requests: a batch's payload may reach the message size
// limit, and form or JSON encoding can triple it, so four times the limit
// plus room for parameters.
func (s *Server) sqsMaxBody() int64 {
	return int64(s.cfg.SQSMaxMessageSize)*4 + 64<<10
}

// sqsFace is the SigV4 middleware's view of the SQS endpoint, which also
// answers STS GetCallerIdentity: the per-operation service check happens in
// the handler (awsauth.Verifier.For, awsauth.RequireService).
func (s *Server) sqsFace(onError func(http.ResponseWriter, *http.Request, error)) awsauth.Face {
	return awsauth.Face{
		Services:      func(*http.Request) []string { return []string{"sqs", "sts"} },
		MaxBody:       func(*http.Request) int64 { return s.sqsMaxBody() },
		OnError:       onError,
		HeadersPassed: s.authenticated,
	}
}

// appConfigFace is the SigV4 middleware's view of the AppConfig endpoints:
// appconfigdata's routes accept "appconfig", the signing name AWS's
// appconfigdata clients use, and "appconfigdata".
func (s *Server) appConfigFace(onError func(http.ResponseWriter, *http.Request, error)) awsauth.Face {
	return awsauth.Face{
		Services: func(r *http.Request) []string {
			if r.URL.Path == "/configuration" || r.URL.Path == "/configurationsessions" {
				return []string{"appconfig", "appconfigdata"}
			}
			return []string{"appconfig"}
		},
		MaxBody: func(r *http.Request) int64 {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/hostedconfigurationversions") {
				return appConfigMaxHosted
			}
			return appConfigMaxBody
		},
		OnError:       onError,
		HeadersPassed: s.authenticated,
	}
}
