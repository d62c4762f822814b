package io.wharf.app;

import io.wharf.core.api.ServiceContext;
import io.wharf.core.auth.Caller;
import io.wharf.core.auth.Principal;
import io.wharf.model.ErrorCode;
import io.wharf.model.WharfException;
import io.wharf.protocol.AwsService;
import io.wharf.protocol.AwsServiceException;
import io.wharf.protocol.Operations;
import io.wharf.protocol.ServiceModel;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A made-up AWS service added by the README's "How to add an AWS service": its model (test resource
 * {@code notes/2026-12-07/service-2.json}, speaking JSON 1.1 and query, as CloudWatch's does), its
 * operations on typed records, its guard, its errors. Throwaway: its state is in memory.
 */
final class NotesService implements AwsService<Caller> {
  record PutNoteInput(String name, String text) {}

  record PutNoteOutput(String name, Instant createdAt) {}

  record GetNoteInput(String name) {}

  record GetNoteOutput(String name, String text, Instant createdAt) {}

  private final ServiceModel model =
      ServiceModel.load(NotesService.class, "notes/2026-12-07/service-2.json");
  private final Map<String, GetNoteOutput> notes = new ConcurrentHashMap<>();
  private final ServiceContext context;
  private final Operations<Caller> operations =
      Operations.<Caller>builder(model)
          .guard(NotesService::adminOnly)
          .add("PutNote", PutNoteInput.class, (caller, in) -> put(in))
          .add("GetNote", GetNoteInput.class, (caller, in) -> get(in))
          .build();

  NotesService(ServiceContext context) {
    this.context = context;
  }

  private static void adminOnly(Caller caller, String op, Operations.RequestView request) {
    if (!(caller.principal() instanceof Principal.Admin)) {
      throw new WharfException(ErrorCode.ACCESS_DENIED, "Only the admin keeps notes.");
    }
  }

  private PutNoteOutput put(PutNoteInput in) {
    GetNoteOutput note = new GetNoteOutput(in.name(), in.text(), context.clock().instant());
    if (notes.putIfAbsent(in.name(), note) != null) {
      throw new AwsServiceException("NoteExists", "A note named " + in.name() + " exists.");
    }
    return new PutNoteOutput(note.name(), note.createdAt());
  }

  private GetNoteOutput get(GetNoteInput in) {
    GetNoteOutput note = notes.get(in.name());
    if (note == null) {
      throw new AwsServiceException("NoteNotFound", "No note named " + in.name() + ".");
    }
    return note;
  }

  @Override
  public ServiceModel model() {
    return model;
  }

  @Override
  public Operations<Caller> operations() {
    return operations;
  }
}
