package web

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/efiportal/portal/db"
)

// Metrics is the portal's Prometheus registry: requests by route and
// status, their latency, the database pools and the Efí API calls.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	apiCalls *prometheus.CounterVec
	apiTime  *prometheus.HistogramVec
}

// NewMetrics registers the portal's collectors on a registry of its own
// (never the global one, so tests can build many servers).
func NewMetrics(d *db.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portal_http_request_duration_seconds",
			Help:    "HTTP request latency by route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_efi_api_calls_total",
			Help: "Calls to the Efí APIs by family, route template and HTTP status (0: no response).",
		}, []string{"family", "route", "status"}),
		apiTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portal_efi_api_call_duration_seconds",
			Help:    "Latency of calls to the Efí APIs by family and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"family", "route"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.apiCalls, m.apiTime,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d != nil {
		m.reg.MustRegister(
			collectors.NewDBStatsCollector(d.Write, "writer"),
			collectors.NewDBStatsCollector(d.Read, "readers"))
	}
	return m
}

// middleware counts and times every request by its route template (never
// the raw path, which would explode the label set).
func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
	}
}

// ObserveAPICall records one call to an Efí API; the Efí client reports
// through it.
func (m *Metrics) ObserveAPICall(family, route string, status int, d time.Duration) {
	m.apiCalls.WithLabelValues(family, route, strconv.Itoa(status)).Inc()
	m.apiTime.WithLabelValues(family, route).Observe(d.Seconds())
}

// handler serves GET /metrics.
func (m *Metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{DisableCompression: true}) // the gzip middleware compresses
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
