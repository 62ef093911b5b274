"""What Kairos tells the world: domain events on EventBridge, webhook deliveries and usage metering."""
