/**
 * Who may call the control plane: the admin access key and where it comes from ({@link
 * io.wharf.core.auth.AdminCredentials}), and every other key the state holds ({@link
 * io.wharf.core.auth.AccessKeys}: container instances' keys and join tokens), resolved to a {@link
 * io.wharf.core.auth.Principal} once a request's signature is verified.
 */
package io.wharf.core.auth;
