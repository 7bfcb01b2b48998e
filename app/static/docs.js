// Starts Swagger UI on /docs; kept in a file because the CSP forbids inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
});
