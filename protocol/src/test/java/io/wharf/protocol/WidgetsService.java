package io.wharf.protocol;

import io.wharf.model.Document;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory service on the test-only Widgets model: one member of every shape type. */
final class WidgetsService implements AwsService<String> {
  static final ServiceModel MODEL =
      ServiceModel.load(WidgetsService.class, "widgets-2026-01-01.json");

  enum Color {
    RED("red"),
    DARK_BLUE("dark-blue");

    private final String wire;

    Color(String wire) {
      this.wire = wire;
    }

    @Override
    public String toString() {
      return wire;
    }
  }

  record Part(String partId, Integer count, List<String> tags) {}

  record Owner(String userName, Instant since) {}

  /** Both the input of PutWidget and the widget in outputs: its components name model members. */
  record Widget(
      String name,
      String dnsName,
      Integer size,
      Long weight,
      Boolean enabled,
      Double ratio,
      Color color,
      Instant madeAt,
      byte[] payload,
      Document settings,
      List<Part> parts,
      Map<String, List<Part>> labels,
      Owner owner) {}

  record PutWidgetOutput(Widget widget, String requestedBy) {}

  record GetWidgetInput(String name, Boolean verbose, List<String> fields, String requestedBy) {}

  record GetWidgetFileInput(String name, String path) {}

  record GetWidgetFileOutput(String name, String path) {}

  final Map<String, Widget> widgets = new ConcurrentHashMap<>();
  final Map<String, GetWidgetInput> gets = new ConcurrentHashMap<>();
  private final Operations<String> operations;

  WidgetsService() {
    operations =
        Operations.<String>builder(MODEL)
            .add(
                "PutWidget",
                Widget.class,
                (caller, widget) -> {
                  widgets.put(widget.name(), widget);
                  return new PutWidgetOutput(widget, caller);
                })
            .add(
                "GetWidget",
                GetWidgetInput.class,
                (caller, in) -> {
                  gets.put(in.name(), in);
                  Widget w = widgets.get(in.name());
                  if (w == null) {
                    throw new AwsServiceException(
                        "WidgetNotFound", "Widget " + in.name() + " does not exist.");
                  }
                  return new PutWidgetOutput(w, in.requestedBy());
                })
            .add(
                "GetWidgetFile",
                GetWidgetFileInput.class,
                (caller, in) -> new GetWidgetFileOutput(in.name(), in.path()))
            .add(
                "DeleteWidget",
                GetWidgetInput.class,
                (caller, in) -> {
                  widgets.remove(in.name());
                  return null;
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
