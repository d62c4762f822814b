/**
 * The agent channel: desired state down to container instances, liveness up.
 *
 * <pre>
 *  StateMachine ──(task changed)──▶ AgentGateway ──manifest (WebSocket)──▶ agent
 *                                        ▲                                  │
 *                                        └──── heartbeat / ack ─────────────┘
 *  agent ──SubmitTaskStateChange / SubmitContainerStateChange (ECS API)──▶ StateMachine
 * </pre>
 *
 * <p>Messages are JSON text frames: {@code
 * {"type":"manifest","seq":n,"tasks":[...],"taskDefinitions":{arn:{...}}}} (each task names its
 * definition by ARN; each definition comes once) from the control plane; {@code
 * {"type":"heartbeat"}} and {@code {"type":"ack","seq":n}} from the agent. An ack of the last
 * manifest spares the instance the periodic resend.
 */
package io.wharf.ecs.agent;
