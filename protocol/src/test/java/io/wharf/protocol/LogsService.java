package io.wharf.protocol;

import io.wharf.model.WharfException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A two-operation in-memory CloudWatch Logs on the real Logs model (AWS JSON 1.1), for the protocol
 * tests: CreateLogGroup and DescribeLogGroups. Only the caller "admin" may call it.
 */
final class LogsService implements AwsService<String> {
  static final ServiceModel MODEL = ServiceModel.load(LogsService.class, "logs-2014-03-28.json.gz");

  record CreateLogGroupRequest(String logGroupName, String kmsKeyId, Map<String, String> tags) {}

  record DescribeLogGroupsRequest(String logGroupNamePrefix, Integer limit) {}

  /** Logs' creationTime is epoch milliseconds (a long shape), not a timestamp shape. */
  record LogGroup(String logGroupName, Long creationTime, String arn, Long storedBytes) {}

  record DescribeLogGroupsResponse(List<LogGroup> logGroups, String nextToken) {}

  final Map<String, LogGroup> groups = new ConcurrentSkipListMap<>();
  private final Operations<String> operations;

  LogsService(Instant now) {
    operations =
        Operations.<String>builder(MODEL)
            .guard(
                (caller, operation, request) -> {
                  if (!"admin".equals(caller)) {
                    throw new WharfException(
                        io.wharf.model.ErrorCode.ACCESS_DENIED,
                        "User "
                            + caller
                            + " may not call logs:"
                            + operation
                            + " on "
                            + request.text("logGroupName").orElse("*"));
                  }
                })
            .add(
                "CreateLogGroup",
                CreateLogGroupRequest.class,
                (caller, in) -> {
                  LogGroup group =
                      new LogGroup(
                          in.logGroupName(),
                          now.toEpochMilli(),
                          "arn:aws:logs:us-east-1:000000000000:log-group:" + in.logGroupName(),
                          0L);
                  if (groups.putIfAbsent(in.logGroupName(), group) != null) {
                    throw new AwsServiceException(
                        "ResourceAlreadyExistsException", "The specified log group already exists");
                  }
                  return null;
                })
            .add(
                "DescribeLogGroups",
                DescribeLogGroupsRequest.class,
                (caller, in) -> {
                  List<LogGroup> out = new ArrayList<>();
                  for (LogGroup g : groups.values()) {
                    if (in.logGroupNamePrefix() == null
                        || g.logGroupName().startsWith(in.logGroupNamePrefix())) {
                      out.add(g);
                    }
                  }
                  int limit = in.limit() == null ? 50 : in.limit();
                  return new DescribeLogGroupsResponse(
                      out.subList(0, Math.min(limit, out.size())), null);
                })
            .build();
  }

  @Override
  public ServiceModel model() {
    return MODEL;
  }

  @Override
  public Operations<String> operations() {
    return operations;
  }
}
