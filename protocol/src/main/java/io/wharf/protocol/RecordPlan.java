package io.wharf.protocol;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A record class against one structure shape, as the binding reads and writes it, made once per
 * class and shape (the first request that meets them): each component's accessor and member, the
 * member each request member binds, and the canonical constructor.
 *
 * <p>Why: binding a request through Jackson (a normalised copy of the tree, then {@code
 * treeToValue} with case-insensitive names) and answering through a canonical tree that Jackson
 * then writes again cost RunTask a measurable share of its time (PlacementBench, issue 11). With
 * this plan the binding builds the record straight from the request's tree and writes the output
 * record straight to the JSON generator, and it knows from the plan when a record is not the plain
 * case those paths take (then it goes the old way, which answers the same).
 *
 * @param type the record class
 * @param shapeName the structure shape it stands for
 * @param components the record's components in declaration order
 * @param membersWrittenOnce no two components are written as the same member (when two are, the
 *     canonical tree keeps the last one's value where the first was: the output goes through it)
 * @param componentOfMember each member of the shape to the index of the component it binds (matched
 *     ignoring case, as Jackson binds them); members no component takes are absent
 * @param bindsAsJackson the request binds straight to this class as Jackson binds it: no Jackson
 *     annotations on the class, its components or its constructor, no two components that differ
 *     only in case, no two members bound to one component
 * @param constructor the canonical constructor, taking its arguments as one {@code Object[]}
 */
record RecordPlan(
    Class<?> type,
    String shapeName,
    List<Component> components,
    boolean membersWrittenOnce,
    Map<String, Integer> componentOfMember,
    boolean bindsAsJackson,
    MethodHandle constructor) {

  /**
   * One component.
   *
   * @param name its name
   * @param genericType its declared type
   * @param accessor its accessor, taking and returning {@code Object}
   * @param member the shape's member it is written as (matched ignoring case), or null when none
   * @param memberShape that member's shape, or null
   */
  record Component(
      String name, Type genericType, MethodHandle accessor, String member, String memberShape) {

    /** The component's value in {@code record}. */
    Object valueIn(Object record) {
      try {
        return accessor.invokeExact(record);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(
            "Cannot read " + name + " of " + record.getClass().getName(), e);
      }
    }
  }

  private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
  private static final MethodType MAKER = MethodType.methodType(Object.class, Object[].class);

  static RecordPlan of(Class<?> type, ShapePlan shape) {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    RecordComponent[] parts = type.getRecordComponents();
    Component[] components = new Component[parts.length];
    Set<String> written = new HashSet<>();
    boolean writtenOnce = true;
    boolean plain = !annotatedByJackson(type);
    Map<String, Integer> byLowerName = new HashMap<>();
    for (int i = 0; i < parts.length; i++) {
      RecordComponent part = parts[i];
      String member = shape.memberIgnoringCase(part.getName());
      writtenOnce &= member == null || written.add(member);
      plain &= !annotatedByJackson(part) && !annotatedByJackson(part.getAccessor());
      plain &= byLowerName.put(part.getName().toLowerCase(Locale.ROOT), i) == null;
      components[i] =
          new Component(
              part.getName(),
              part.getGenericType(),
              accessor(lookup, part),
              member,
              member == null ? null : shape.memberShapes().get(member));
    }
    Map<String, Integer> componentOfMember = new HashMap<>();
    Set<Integer> bound = new HashSet<>();
    for (String member : shape.memberShapes().keySet()) {
      Integer index = byLowerName.get(member.toLowerCase(Locale.ROOT));
      if (index != null) {
        plain &= bound.add(index);
        componentOfMember.put(member, index);
      }
    }
    MethodHandle constructor = null;
    try {
      Constructor<?> canonical =
          type.getDeclaredConstructor(
              Arrays.stream(parts).map(RecordComponent::getType).toArray(Class<?>[]::new));
      plain &= !annotatedByJackson(canonical);
      plain &=
          Arrays.stream(type.getDeclaredConstructors()).noneMatch(RecordPlan::annotatedByJackson);
      for (var parameter : canonical.getParameters()) {
        plain &= !annotatedByJackson(parameter);
      }
      canonical.setAccessible(true);
      constructor =
          lookup
              .unreflectConstructor(canonical)
              .asSpreader(Object[].class, parts.length)
              .asType(MAKER);
    } catch (ReflectiveOperationException | RuntimeException e) {
      plain = false; // not made here, then: Jackson makes it, as it always did
    }
    return new RecordPlan(
        type,
        shape.name(),
        List.of(components),
        writtenOnce,
        Map.copyOf(componentOfMember),
        plain,
        constructor);
  }

  /** A record made of these component values (in declaration order). */
  Object make(Object[] values) throws Throwable {
    return constructor.invokeExact(values);
  }

  private static MethodHandle accessor(MethodHandles.Lookup lookup, RecordComponent part) {
    try {
      var method = part.getAccessor();
      method.setAccessible(true);
      return lookup.unreflect(method).asType(GETTER);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot read " + part.getName() + " of " + part.getDeclaringRecord().getName(), e);
    }
  }

  /** Jackson reads what its annotations say, not what the names say: such classes go through it. */
  private static boolean annotatedByJackson(AnnotatedElement element) {
    for (Annotation a : element.getDeclaredAnnotations()) {
      if (a.annotationType().getPackageName().startsWith("com.fasterxml.jackson")) {
        return true;
      }
    }
    return false;
  }
}
