// Placeholder so the layer target exists until its first source lands; delete then.
namespace arkwiki { int web_layer_placeholder = 0; }
