"""Layer 4: the parts constructs are built from, each written once: the model and its
container, the endpoint config and endpoint, scaling, IAM roles and statements, the secure
bucket and topic, rollback alarms, VPC wiring, endpoint handles and compliance
acknowledgements. Made of CDK's generated typed L1 classes and their property classes."""
