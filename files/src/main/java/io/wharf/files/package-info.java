/**
 * Owner-only files and directories ({@link io.wharf.files.PrivateFiles}), shared by every module
 * that writes into a data directory: the store, the agent and the HAProxy driver. It imports only
 * the JDK, so modules that must know no other Wharf module (the HAProxy driver, the runtime) can
 * use it too.
 */
package io.wharf.files;
