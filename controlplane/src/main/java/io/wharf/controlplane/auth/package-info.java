/** Who may call the control plane: the admin access key and where it comes from. */
package io.wharf.controlplane.auth;
