"""Feedback and the quality learned from it: decision ids (`ids`), the posterior
per (tenant, task, model) (`posterior`), where scores are kept (`store`,
`redis_store`), and the service that ties them together (`feedback`)."""
