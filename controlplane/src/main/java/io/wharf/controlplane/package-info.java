/** The control plane: state machine, ECS API, authentication. */
package io.wharf.controlplane;
