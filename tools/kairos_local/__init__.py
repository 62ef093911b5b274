"""The local path: Kairos on one machine with no AWS account. moto (server mode) plays DynamoDB, and a
local HTTP server hands each request, as an API Gateway proxy event, to the same Lambda handlers."""
