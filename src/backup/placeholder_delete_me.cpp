// Placeholder so the layer target exists until its first source lands; delete then.
namespace arkwiki { int backup_layer_placeholder = 0; }
