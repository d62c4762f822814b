/**
 * Who may call Wharf besides the admin: join tokens, and the per-instance access keys agents get
 * for them. Secrets live only in these records (stored as state rows), never in logs.
 */
package io.wharf.model.identity;
