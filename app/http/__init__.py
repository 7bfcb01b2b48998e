"""What the HTML pages (app.web) and the JSON API (app.api) share, so neither imports the other:
the request's session and transaction, who is asking, CSRF, query parameters both read, streamed
downloads, the app-wide middleware and the error mapping each adapter installs."""
