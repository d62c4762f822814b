/**
 * Who may call the control plane: the admin access key and where it comes from ({@link
 * io.wharf.controlplane.auth.AdminCredentials}), and every other key the state holds ({@link
 * io.wharf.controlplane.auth.AccessKeys}: container instances' keys and join tokens), resolved to a
 * {@link io.wharf.controlplane.auth.Principal} once a request's signature is verified.
 */
package io.wharf.controlplane.auth;
