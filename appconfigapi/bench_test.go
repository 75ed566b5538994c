package appconfigapi_test

import (
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
)

// BenchmarkGetLatestConfiguration measures the server side of
// GetLatestConfiguration over loopback with a plain HTTP client (each
// iteration redeems a fresh session's first token; session creation is not
// timed).
func BenchmarkGetLatestConfiguration(b *testing.B) {
	e := start(b)
	f := e.fixture()
	fast := e.strategy("fast", 0, 0, 100, types.GrowthTypeLinear)
	d := must[*appconfig.StartDeploymentOutput](e.t)(e.ac.StartDeployment(e.ctx, &appconfig.StartDeploymentInput{ApplicationId: &f.app,
		EnvironmentId: &f.env, ConfigurationProfileId: &f.profile, DeploymentStrategyId: &fast, ConfigurationVersion: aws.String("1")}))
	e.waitDeployment(f.app, f.env, d.DeploymentNumber, state(types.DeploymentStateComplete))
	toks := make([]string, b.N)
	for i := range toks {
		toks[i] = *e.session(f.app, f.env, f.profile)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ResetTimer()
	var next atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			req, _ := http.NewRequest("GET", e.in.URL+"/configuration?configuration_token="+url.QueryEscape(toks[i]), nil)
			sign(b, e.in, req, "")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
