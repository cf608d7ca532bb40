package ozconfig

// DatadogConfig posts events to Datadog's v1 events intake
// (https://api.<site>/api/v1/events), tagged tenant, monitor and network.
type DatadogConfig struct {
	APIKey SecretValue `json:"api_key"`
	// Site is the Datadog site: datadoghq.com (default), datadoghq.eu,
	// us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com,
	// ap2.datadoghq.com or ddog-gov.com.
	Site string `json:"site,omitempty"`
	// AlertType is one of Datadog's alert types (default error).
	AlertType string `json:"alert_type,omitempty"`
	// Priority is normal (default) or low.
	Priority string `json:"priority,omitempty"`
	// AggregationKey is a template (at most 100 bytes once rendered);
	// empty means the notification's id, so a resent notification rolls
	// up with its first copy.
	AggregationKey string `json:"aggregation_key,omitempty"`
	// Tags are templates added to tenant:, monitor: and network:.
	Tags []string `json:"tags,omitempty"`
	// SourceTypeName is Datadog's source_type_name (optional).
	SourceTypeName string `json:"source_type_name,omitempty"`
	// Message: the title is the event's title (cut to 100 bytes), the body
	// its text (cut to 4000).
	Message     NotificationMessage `json:"message"`
	RetryPolicy RetryPolicy         `json:"retry_policy"`
}

var datadogSites = []string{"datadoghq.com", "datadoghq.eu", "us3.datadoghq.com", "us5.datadoghq.com",
	"ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"}

var datadogAlertTypes = []string{"error", "warning", "info", "success", "user_update", "recommendation", "snapshot"}

// Datadog's documented limits.
const (
	datadogMaxTag  = 200
	datadogMaxTags = 100
)

func (r *cfgReader) datadogConfig(o *cfgObject) *DatadogConfig {
	c := &DatadogConfig{}
	if s, ok := o.secret("api_key", true); ok {
		c.APIKey = s
		r.checkSecretNotBlank(o, "api_key", s, "API key")
	}
	c.Site, _ = o.enum("site", false, datadogSites...)
	c.AlertType, _ = o.enum("alert_type", false, datadogAlertTypes...)
	c.Priority, _ = o.enum("priority", false, "normal", "low")
	c.AggregationKey = r.optTemplate(o, "aggregation_key", 100)
	if c.Tags = r.templates(o, "tags", datadogMaxTag); len(c.Tags) > datadogMaxTags {
		r.fail(joinKey(o.path, "tags"), "has %d tags; at most %d", len(c.Tags), datadogMaxTags)
	}
	c.SourceTypeName = r.optTemplate(o, "source_type_name", 100)
	c.Message, _ = r.message(o, true, true)
	c.RetryPolicy = r.optRetryPolicy(o)
	r.noAutoResolve(o, "a Datadog event is a record, not an incident")
	return c
}
