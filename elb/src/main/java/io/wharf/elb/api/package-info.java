/**
 * The ELBv2 API (Elastic Load Balancing, version 2015-12-01) on Wharf's one port, over the AWS
 * query protocol: {@code POST /} with a form body ({@code Action=...&Version=2015-12-01&...})
 * signed for the {@code elasticloadbalancing} service, answered in XML.
 *
 * <pre>
 *  ApiHandler (form body, no X-Amz-Target)
 *      └─▶ Endpoint: query input (typed by the ELBv2 model) ─▶ model check ─▶ request record ─▶ ElbApi
 *            ├─ LoadBalancerOperations   Create/Describe/DeleteLoadBalancer
 *            ├─ TargetGroupOperations    Create/Describe/Modify/DeleteTargetGroup, attributes
 *            ├─ ListenerOperations       listeners and rules (ElbRules: actions, conditions)
 *            ├─ TargetOperations         Register/DeregisterTargets, DescribeTargetHealth
 *            └─ ElbTagOperations         AddTags, RemoveTags, DescribeTags
 *      ◀── response record (ElbShapes' views) ─▶ Endpoint: XML by the model / ELB's ErrorResponse
 *          (ElbApi.errorOf)
 * </pre>
 *
 * <p>Each operation takes a request record and returns a response record, both named as the model
 * names its members (the protocol layer binds them ignoring case: {@code dnsName} is {@code
 * DNSName}); the model's structures are {@code ElbShapes}' {@code *View} records. No operation
 * reads or builds JSON or XML: this package does not depend on Jackson ({@code ArchitectureTest}).
 *
 * <p>Operations validate first (the model, then {@link io.wharf.elb.api.ElbRules}), change state
 * only through the state machine, and tell the data plane when they did. Ids are drawn inside
 * commands, on the state machine's thread.
 */
package io.wharf.elb.api;
