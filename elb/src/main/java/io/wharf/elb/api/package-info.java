/**
 * The ELBv2 API (Elastic Load Balancing, version 2015-12-01) on Wharf's one port, over the AWS
 * query protocol: {@code POST /} with a form body ({@code Action=...&Version=2015-12-01&...})
 * signed for the {@code elasticloadbalancing} service, answered in XML.
 *
 * <pre>
 *  ApiHandler (form body, no X-Amz-Target)
 *      └─▶ Endpoint: query input (typed by the ELBv2 model) ─▶ model check ─▶ ElbApi
 *            ├─ LoadBalancerOperations   Create/Describe/DeleteLoadBalancer
 *            ├─ TargetGroupOperations    Create/Describe/Modify/DeleteTargetGroup, attributes
 *            ├─ ListenerOperations       listeners and rules (ElbRules: actions, conditions)
 *            ├─ TargetOperations         Register/DeregisterTargets, DescribeTargetHealth
 *            └─ ElbTagOperations         AddTags, RemoveTags, DescribeTags
 *      ◀── Endpoint: XML by the model / ELB's ErrorResponse (ElbApi.errorOf)
 * </pre>
 *
 * <p>Operations validate first (the model, then {@link io.wharf.elb.api.ElbRules}), change state
 * only through the state machine, and tell the data plane when they did. Ids are drawn inside
 * commands, on the state machine's thread.
 */
package io.wharf.elb.api;
