// Starts Swagger UI on /docs. A file rather than an inline <script>, so the page works under the
// site's Content-Security-Policy (script-src 'self').
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: document.getElementById("swagger-ui").dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
