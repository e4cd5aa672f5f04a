// Package swagger is a local stand-in for github.com/emicklei/go-restful-swagger12,
// which the Go module proxy does not serve. It provides what Kubernetes 1.11's
// apiserver uses: a Config and RegisterSwaggerService, serving an empty
// Swagger 1.2 resource listing (the /swaggerapi endpoint, deprecated in 1.10).
package swagger

import (
	"net/http"

	restful "github.com/emicklei/go-restful"
)

// Config holds the settings Kubernetes 1.11 sets.
type Config struct {
	WebServicesUrl      string
	WebServices         []*restful.WebService
	ApiPath             string
	SwaggerPath         string
	SwaggerFilePath     string
	ApiVersion          string
	SchemaFormatHandler func(typeName string) string
}

// RegisterSwaggerService serves an empty resource listing at config.ApiPath.
func RegisterSwaggerService(config Config, wsContainer *restful.Container) {
	if config.ApiPath == "" {
		return
	}
	ws := new(restful.WebService)
	ws.Path(config.ApiPath)
	ws.Produces(restful.MIME_JSON)
	ws.Route(ws.GET("/").To(func(req *restful.Request, resp *restful.Response) {
		resp.WriteHeaderAndEntity(http.StatusOK, map[string]interface{}{
			"swaggerVersion": "1.2",
			"apiVersion":     config.ApiVersion,
			"apis":           []interface{}{},
		})
	}))
	wsContainer.Add(ws)
}
