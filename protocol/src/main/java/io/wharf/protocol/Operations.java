package io.wharf.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations one service implements, each a handler of typed input to typed output, plus the
 * guards that run before any operation is looked up. Built once, checked against the model when
 * built, immutable after; handlers are called from many request threads at once.
 *
 * @param <C> the caller as the HTTP front identified it
 */
public final class Operations<C> {
  /** One operation: typed input to typed output; throws to answer an error. */
  @FunctionalInterface
  public interface Handler<C, I, O> {
    O handle(C caller, I input);
  }

  /**
   * An access check, before the operation is looked up (so that an unknown operation costs a caller
   * who may not call anything an AccessDenied, as AWS answers). Throws to refuse.
   */
  // For query requests the operation is the Action parameter, null when the request has none
  // (the missing Action is answered after the guards: a caller who may call nothing learns no
  // more).
  @FunctionalInterface
  public interface Guard<C> {
    void check(C caller, String operation, RequestView request);
  }

  /** A read-only look at the raw input before validation (e.g. the "cluster" member). */
  public interface RequestView {
    /** The member's value when it is text at the top level of the input; empty otherwise. */
    Optional<String> text(String member);
  }

  /** An operation's input type and its handler. */
  record Entry<C>(Class<?> input, Handler<C, Object, Object> handler) {}

  private final ServiceModel model;
  private final Map<String, Entry<C>> entries;
  private final List<Guard<C>> guards;
  private final InputValidator validator;
  private final Binding binding;

  private Operations(ServiceModel model, Map<String, Entry<C>> entries, List<Guard<C>> guards) {
    this.model = model;
    this.entries = Map.copyOf(entries);
    this.guards = List.copyOf(guards);
    this.validator = new InputValidator(model);
    this.binding = new Binding(model);
  }

  public static <C> Builder<C> builder(ServiceModel model) {
    return new Builder<>(model);
  }

  /** The names of the operations implemented, sorted. */
  public Set<String> implemented() {
    return Collections.unmodifiableSet(new TreeSet<>(entries.keySet()));
  }

  ServiceModel model() {
    return model;
  }

  Optional<Entry<C>> find(String operation) {
    return Optional.ofNullable(operation == null ? null : entries.get(operation));
  }

  void guard(C caller, String operation, RequestView view) {
    for (Guard<C> g : guards) {
      g.check(caller, operation, view);
    }
  }

  InputValidator validator() {
    return validator;
  }

  Binding binding() {
    return binding;
  }

  public static final class Builder<C> {
    private final ServiceModel model;
    private final Map<String, Entry<C>> entries = new LinkedHashMap<>();
    private final List<Guard<C>> guards = new ArrayList<>();

    private Builder(ServiceModel model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Adds an operation.
     *
     * @param input a record bound from the validated input, {@link
     *     com.fasterxml.jackson.databind.JsonNode} for the tree itself (during migration), or
     *     {@code Void.class} for no input (the handler gets null)
     * @param handler returns a record, a JsonNode in the model's names, or null for an empty output
     */
    @SuppressWarnings("unchecked")
    public <I, O> Builder<C> add(String operation, Class<I> input, Handler<C, I, O> handler) {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(handler, "handler");
      if (entries.containsKey(operation)) {
        throw new IllegalStateException("The operation " + operation + " is added twice");
      }
      entries.put(operation, new Entry<>(input, (Handler<C, Object, Object>) handler));
      return this;
    }

    public Builder<C> guard(Guard<C> guard) {
      guards.add(Objects.requireNonNull(guard, "guard"));
      return this;
    }

    /**
     * @throws IllegalStateException for an operation the model does not have, or an input record
     *     component that matches no member of the input shape
     */
    public Operations<C> build() {
      Binding binding = new Binding(model);
      for (Map.Entry<String, Entry<C>> e : entries.entrySet()) {
        if (!model.hasOperation(e.getKey())) {
          throw new IllegalStateException(
              "The operation " + e.getKey() + " is not in the " + model.serviceId() + " model");
        }
        binding.checkInput(e.getKey(), e.getValue().input());
      }
      return new Operations<>(model, entries, guards);
    }
  }
}
